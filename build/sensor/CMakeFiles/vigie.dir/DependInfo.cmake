
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/sensor/main.cc" "sensor/CMakeFiles/vigie.dir/main.cc.o" "gcc" "sensor/CMakeFiles/vigie.dir/main.cc.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/sensor/CMakeFiles/vigie_pipeline.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_config.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_app.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_flow.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_decode.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_capture.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_match.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_track.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_alert.dir/DependInfo.cmake"
  "/work/main/build/sensor/CMakeFiles/vigie_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
