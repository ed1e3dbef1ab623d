# Runs at install time (`cmake --install`, which `make install` calls):
# the systemd unit and the config file name paths under the prefix chosen
# then, so they are written then. An existing config file is kept; the
# example is always in share/doc/majlis.
# Set by CMakeLists.txt: MJ_SOURCE_DIR, MJ_BINARY_DIR, MJ_BINDIR.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(confdir "/etc/majlis")
else()
  set(confdir "${prefix}/etc/majlis")
endif()
set(MJ_BIN "${prefix}/${MJ_BINDIR}/majlis")
set(MJ_CONFIG "${confdir}/majlis.conf")
configure_file("${MJ_SOURCE_DIR}/dist/majlis.service.in" "${MJ_BINARY_DIR}/majlis.service" @ONLY)
file(INSTALL "${MJ_BINARY_DIR}/majlis.service" DESTINATION "${prefix}/lib/systemd/system"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
if(EXISTS "$ENV{DESTDIR}${MJ_CONFIG}")
  message(STATUS "Kept: $ENV{DESTDIR}${MJ_CONFIG} (the new example is in share/doc/majlis)")
else()
  file(INSTALL "${MJ_SOURCE_DIR}/dist/majlis.conf" DESTINATION "${confdir}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
