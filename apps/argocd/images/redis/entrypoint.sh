#!/bin/sh
# As the docker-library redis image: options alone (`--save ""`, a .conf file) mean redis-server
# with them; anything else is run as given. Redis runs in the foreground without a config file,
# listening on 6379 on every interface (the chart's Service and NetworkPolicy decide who reaches it).
set -e
case "${1:-}" in
  -* | *.conf) set -- redis-server "$@" ;;
esac
exec "$@"
