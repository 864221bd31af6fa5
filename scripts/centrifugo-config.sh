# Sourced by bench-compare.sh and bench-peer.sh.
#
# centrifugo_config FILE PORT SECRET writes the smallest Centrifugo v6
# configuration for the WebSocket peer benchmark: tokens signed with
# SECRET, clients may subscribe and publish on channels without a
# namespace, no history, the memory engine, nothing reported anywhere.
centrifugo_config() {
  cat >"$1" <<JSON
{
  "http_server": {"address": "127.0.0.1", "port": $2},
  "client": {"token": {"hmac_secret_key": "$3"}},
  "channel": {"without_namespace": {"allow_subscribe_for_client": true, "allow_publish_for_client": true}},
  "http_api": {"disabled": true},
  "engine": {"type": "memory"},
  "usage_stats": {"disabled": true},
  "log": {"level": "error"}
}
JSON
}
