# CMake generated Testfile for 
# Source directory: /work/main/tests/replay
# Build directory: /work/main/build/tests/replay
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
