# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/tests/test_core[1]_include.cmake")
include("/work/main/build/tests/test_config[1]_include.cmake")
include("/work/main/build/tests/test_capture[1]_include.cmake")
include("/work/main/build/tests/test_decode[1]_include.cmake")
include("/work/main/build/tests/test_flow[1]_include.cmake")
include("/work/main/build/tests/test_match[1]_include.cmake")
include("/work/main/build/tests/test_app[1]_include.cmake")
include("/work/main/build/tests/test_alert[1]_include.cmake")
include("/work/main/build/tests/test_track[1]_include.cmake")
add_test([=[deploy.assets]=] "bash" "/work/main/tests/deploy/check_assets.sh" "/work/main/build/sensor/vigie")
set_tests_properties([=[deploy.assets]=] PROPERTIES  LABELS "deploy" RUN_SERIAL "ON" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;24;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[deploy.nic_setup]=] "bash" "/work/main/tests/deploy/nic_setup_test.sh")
set_tests_properties([=[deploy.nic_setup]=] PROPERTIES  LABELS "deploy" RUN_SERIAL "ON" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;25;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[deploy.prometheus]=] "python3" "/work/main/tests/deploy/prometheus_scrape_test.py" "/work/main/build/sensor/vigie")
set_tests_properties([=[deploy.prometheus]=] PROPERTIES  LABELS "deploy" RUN_SERIAL "ON" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;26;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test([=[deploy.live_capture]=] "bash" "/work/main/tests/deploy/live_capture_test.sh" "/work/main/build/sensor/vigie")
set_tests_properties([=[deploy.live_capture]=] PROPERTIES  LABELS "deploy" RUN_SERIAL "ON" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;27;add_test;/work/main/tests/CMakeLists.txt;0;")
subdirs("replay")
