# The feature spec JSON is compiled in, so every binary and the dbt mart read one declaration.
# leadscore_feature_spec_header(<dir>) writes <dir>/features/feature_spec_json.h from
# spec/feature_spec.json and re-runs CMake when the spec changes.
function(leadscore_feature_spec_header out_dir)
  set(spec_file ${PROJECT_SOURCE_DIR}/spec/feature_spec.json)
  file(READ ${spec_file} LEADSCORE_FEATURE_SPEC_JSON)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${spec_file})
  configure_file(${PROJECT_SOURCE_DIR}/src/features/feature_spec_json.h.in
                 ${out_dir}/features/feature_spec_json.h @ONLY)
endfunction()
