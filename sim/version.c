/* version.c: the build id, the one file that includes the generated header
 * (so a new commit recompiles this file only). */
#include "version.h"
#include "vs_build.h"

const char vs_build_id[] = VS_BUILD_ID;
