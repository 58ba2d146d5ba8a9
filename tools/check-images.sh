#!/bin/sh
# Rebuilds every guest image from its sources and checks that guests/images/ holds
# exactly what git has committed: CI runs this so the committed images cannot drift
# from the sources. -B rebuilds everything: on a fresh clone file timestamps mean nothing.
# Exit status 1 (with the list of files) if an image changed, is new (untracked) or is no
# longer built; a failing build fails too.
set -eu
cd "$(dirname "$0")/.."

# Delete the committed images first, so that one no rule builds any more shows up as
# deleted instead of passing unnoticed.
git ls-files -z -- guests/images | xargs -0 rm -f
if ! make -B -C guests >/dev/null; then
	echo "check-images: building the guests failed" >&2
	exit 1
fi

# Modified, deleted and untracked files all show up here (untracked as "??").
changed=$(git status --porcelain --untracked-files=all -- guests/images)
if [ -n "$changed" ]; then
	echo "check-images: guests/images differs from what is committed:" >&2
	echo "$changed" >&2
	echo "Rebuild with 'make -C guests' and commit the images with their sources." >&2
	exit 1
fi
echo "check-images: all guest images match their sources"
