# Node.js 22 LTS (the pinned NODE22_VERSION) from the npm registry into
# .tools/node/: the node22 test lane runs envelope, core, plik and s3 on it
# (scripts/test.sh). Not on PATH.
setup_node22() {
  install_node "$NODE22_VERSION"
}
