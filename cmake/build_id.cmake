# Writes OUT, a header naming the commit the sources are at when the build
# runs (not when cmake was configured: a rebuild after a commit must not carry
# the old hash into results).  "-dirty" when tracked files differ from it;
# "unknown" outside git.  OUT is rewritten only when the id changes, so a
# build that changes nothing recompiles nothing.
#   cmake -DSRC=dir -DOUT=file [-DGIT=git] -P build_id.cmake
set(id "unknown")
if(GIT)
  execute_process(COMMAND ${GIT} rev-parse --short=12 HEAD WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE hash RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND hash)
    set(id "${hash}")
    execute_process(COMMAND ${GIT} diff --quiet HEAD -- WORKING_DIRECTORY ${SRC} RESULT_VARIABLE dirty ERROR_QUIET)
    if(NOT dirty EQUAL 0)
      string(APPEND id "-dirty")
    endif()
  endif()
endif()
set(text "#define VS_BUILD_ID \"${id}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
