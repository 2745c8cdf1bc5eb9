
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/sensor/core/hash.cc" "sensor/CMakeFiles/vigie_core.dir/core/hash.cc.o" "gcc" "sensor/CMakeFiles/vigie_core.dir/core/hash.cc.o.d"
  "/work/main/sensor/core/ip_addr.cc" "sensor/CMakeFiles/vigie_core.dir/core/ip_addr.cc.o" "gcc" "sensor/CMakeFiles/vigie_core.dir/core/ip_addr.cc.o.d"
  "/work/main/sensor/core/time.cc" "sensor/CMakeFiles/vigie_core.dir/core/time.cc.o" "gcc" "sensor/CMakeFiles/vigie_core.dir/core/time.cc.o.d"
  "/work/main/sensor/metrics/counters.cc" "sensor/CMakeFiles/vigie_core.dir/metrics/counters.cc.o" "gcc" "sensor/CMakeFiles/vigie_core.dir/metrics/counters.cc.o.d"
  "/work/main/sensor/metrics/exporter.cc" "sensor/CMakeFiles/vigie_core.dir/metrics/exporter.cc.o" "gcc" "sensor/CMakeFiles/vigie_core.dir/metrics/exporter.cc.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
