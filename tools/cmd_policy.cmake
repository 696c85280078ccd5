# `cordon policy` subcommands and the run command's policy loader (issue 3).
# include()d from tools/CMakeLists.txt (and from tests/policy when tools/ has
# not done so yet).
add_library(cordon_cmd_policy STATIC ${CMAKE_CURRENT_LIST_DIR}/cmd_policy.c
	${CMAKE_CURRENT_LIST_DIR}/zone_syscalls.c ${CMAKE_CURRENT_LIST_DIR}/cli.c)
target_link_libraries(cordon_cmd_policy PUBLIC cordon_policy cordon_netstack
	cordon_sentry)
