file(REMOVE_RECURSE
  "CMakeFiles/vigie_core.dir/core/hash.cc.o"
  "CMakeFiles/vigie_core.dir/core/hash.cc.o.d"
  "CMakeFiles/vigie_core.dir/core/ip_addr.cc.o"
  "CMakeFiles/vigie_core.dir/core/ip_addr.cc.o.d"
  "CMakeFiles/vigie_core.dir/core/time.cc.o"
  "CMakeFiles/vigie_core.dir/core/time.cc.o.d"
  "CMakeFiles/vigie_core.dir/metrics/counters.cc.o"
  "CMakeFiles/vigie_core.dir/metrics/counters.cc.o.d"
  "CMakeFiles/vigie_core.dir/metrics/exporter.cc.o"
  "CMakeFiles/vigie_core.dir/metrics/exporter.cc.o.d"
  "libvigie_core.a"
  "libvigie_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/vigie_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
