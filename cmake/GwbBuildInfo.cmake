# Generates gwb_build_info.cpp (project version + git commit) on every build, rewriting it only
# when the commit changes, so provenance in --version and config.json never goes stale.
set(GWB_BUILD_INFO_CPP ${CMAKE_BINARY_DIR}/generated/gwb_build_info.cpp)
add_custom_target(gwb_build_info_gen
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_SOURCE_DIR} -DOUTPUT=${GWB_BUILD_INFO_CPP}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/WriteBuildInfo.cmake
  BYPRODUCTS ${GWB_BUILD_INFO_CPP}
  COMMENT "Recording git commit"
  VERBATIM)
add_library(gwb_build_info STATIC ${GWB_BUILD_INFO_CPP})
add_dependencies(gwb_build_info gwb_build_info_gen)
target_include_directories(gwb_build_info PUBLIC ${CMAKE_SOURCE_DIR})
