file(REMOVE_RECURSE
  "CMakeFiles/vigie.dir/main.cc.o"
  "CMakeFiles/vigie.dir/main.cc.o.d"
  "vigie"
  "vigie.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/vigie.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
