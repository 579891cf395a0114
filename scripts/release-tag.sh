#!/usr/bin/env bash
# Makes the git tag v<version> that `npm install git+https://<host>/<org>/ghes-packages-s3.git#v<version>`
# installs in seconds: a commit on top of HEAD whose tree adds the built dist/ and whose
# package.json has no scripts and no devDependencies, so npm neither installs the ~530 dev
# dependencies nor builds (npm prepares a git dependency only when it has prepare, build,
# prepack or install scripts). main's history does not change; push the tag with
# `git push origin v<version>`.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").version')
tag="v$version"
if ! git diff --quiet HEAD --; then echo "release-tag: commit or stash your changes first" >&2; exit 1; fi
if git rev-parse -q --verify "refs/tags/$tag" >/dev/null; then echo "release-tag: tag $tag exists already" >&2; exit 1; fi

rm -rf dist && npm run build --silent
index=$(mktemp)
trap 'rm -f "$index"' EXIT
export GIT_INDEX_FILE="$index"
git read-tree HEAD
git add -f dist
# The incremental build's record of source hashes is no part of the package.
git rm --cached -q --ignore-unmatch dist/tsconfig.tsbuildinfo
manifest=$(node -e '
    const p = require("./package.json");
    delete p.scripts; delete p.devDependencies;
    process.stdout.write(JSON.stringify(p, null, 2) + "\n");
' | git hash-object -w --stdin)
git update-index --cacheinfo "100644,$manifest,package.json"
commit=$(git commit-tree "$(git write-tree)" -p HEAD -m "ghes-packages-s3 $version: built dist/, installable from git without a build")
git tag -a "$tag" -m "ghes-packages-s3 $version" "$commit"
echo "tagged $tag -> $commit (built dist/, no scripts); publish with: git push origin $tag"
