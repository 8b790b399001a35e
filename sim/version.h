/* version.h: the identity of the build that every result file carries.
 *
 * VS_VERSION is the project version (CMakeLists.txt); vs_build_id is the git
 * commit of the sources when the build ran (cmake/build_id.cmake), with
 * "-dirty" when tracked files differed, or "unknown" outside git. */
#ifndef VS_VERSION_H
#define VS_VERSION_H

extern const char vs_build_id[];

#endif
