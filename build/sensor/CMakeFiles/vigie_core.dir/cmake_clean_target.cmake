file(REMOVE_RECURSE
  "libvigie_core.a"
)
