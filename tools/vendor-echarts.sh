#!/bin/sh
# Re-create scorecard/static/vendor/echarts-<version>/ from the npm registry and check its hash
# against scorecard/static/vendor/VENDOR.md. Needs npm; the app itself never needs npm.
set -eu
cd "$(dirname "$0")/.."
VERSION=6.1.0
SHA256=61f13280aba3161f77fc801bf5f9c786f55f10432153a0683fc5cc0700b013d5
DEST="scorecard/static/vendor/echarts-$VERSION"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "echarts@$VERSION" >/dev/null && tar xzf "echarts-$VERSION.tgz")
echo "$SHA256  $TMP/package/dist/echarts.common.min.js" | sha256sum -c -
mkdir -p "$DEST"
cp "$TMP/package/dist/echarts.common.min.js" "$TMP/package/LICENSE" "$TMP/package/NOTICE" "$DEST/"
echo "vendored echarts $VERSION into $DEST"
