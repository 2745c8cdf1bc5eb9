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
subdirs("replay")
