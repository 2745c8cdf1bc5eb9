# CMake generated Testfile for 
# Source directory: /work/main/tests/replay
# Build directory: /work/main/build/tests/replay
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[replay.demo]=] "/root/.pyenv/shims/python3" "/work/main/tests/replay/replay.py" "/work/main/build/sensor/vigie" "/work/main/tests/replay/cases/demo.json")
set_tests_properties([=[replay.demo]=] PROPERTIES  LABELS "replay" SKIP_RETURN_CODE "77" TIMEOUT "900" _BACKTRACE_TRIPLES "/work/main/tests/replay/CMakeLists.txt;7;add_test;/work/main/tests/replay/CMakeLists.txt;0;")
add_test([=[replay.public_captures]=] "/root/.pyenv/shims/python3" "/work/main/tests/replay/public_captures.py" "/work/main/build/sensor/vigie" "/work/main/../shared/pcaps-public")
set_tests_properties([=[replay.public_captures]=] PROPERTIES  LABELS "replay" SKIP_RETURN_CODE "77" TIMEOUT "900" _BACKTRACE_TRIPLES "/work/main/tests/replay/CMakeLists.txt;12;add_test;/work/main/tests/replay/CMakeLists.txt;0;")
add_test([=[replay.cli_errors]=] "/root/.pyenv/shims/python3" "/work/main/tests/replay/cli_errors.py" "/work/main/build/sensor/vigie")
set_tests_properties([=[replay.cli_errors]=] PROPERTIES  LABELS "replay" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/main/tests/replay/CMakeLists.txt;17;add_test;/work/main/tests/replay/CMakeLists.txt;0;")
