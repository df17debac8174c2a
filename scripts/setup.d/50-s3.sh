# versitygw: a real S3-compatible server (posix backend) for @natsbridge/s3's
# integration tests. It validates SigV4 signatures and presigned-URL expiry.
VERSITYGW_MODULE="github.com/versity/versitygw/cmd/versitygw@v1.7.0"
setup_s3() {
  if [ -n "${VERSITYGW_BIN:-}" ] && [ -x "$VERSITYGW_BIN" ]; then return 0; fi
  go_install versitygw "$VERSITYGW_MODULE"
  [ -x "$TOOLS_BIN/versitygw" ] || die "versitygw is still missing after go install $VERSITYGW_MODULE"
}
