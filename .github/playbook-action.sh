#!/usr/bin/env bash
# The script of the Playbook GitHub Action (action.yml), runnable anywhere:
#
#   1. playbook check --format github DIR   (annotations inline in the pull request)
#   2. playbook fmt --check DIR
#   3. playbook test DIR
#   4. playbook diff --format markdown from the merge-base of BASE and HEAD to HEAD,
#      posted as the pull request's comment (one comment, edited on every push)
#
# All four run whatever the others say; the script exits 1 when check, fmt or
# test failed (after the comment is posted), 2 on a usage problem.
#
# Environment:
#   PLAYBOOK_DIR        the workspace folder, relative to the repository root (default: playbooks)
#   PLAYBOOK_BASE       the base revision (default: origin/$GITHUB_BASE_REF; without either, no diff)
#   PLAYBOOK_CMD        how to run playbook (default: playbook), split on spaces
#   PLAYBOOK_COMMENT_FILE  dry run: write the comment's body to this file instead of posting it
#   GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL
#                       posting: the pull request's number is read from the event file;
#                       without a token or a pull request the body is only printed
#   GITHUB_STEP_SUMMARY when set (on a runner), the body is appended to the job summary too
set -uo pipefail

dir=${PLAYBOOK_DIR:-playbooks}
read -r -a pb <<<"${PLAYBOOK_CMD:-playbook}"
api=${GITHUB_API_URL:-https://api.github.com}
marker='<!-- playbook-action -->'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -d "$dir" ]; then
  echo "playbook-action: no such workspace folder: $dir (set the action's dir input)" >&2
  exit 2
fi

# Runs one step, its output to the log and to $tmp/NAME; records the exit status in $tmp/NAME.rc.
step() {
  local name=$1
  shift
  echo "::group::playbook $name"
  "$@" >"$tmp/$name" 2>&1
  echo $? >"$tmp/$name.rc"
  cat "$tmp/$name"
  echo "::endgroup::"
}
# Annotations are not grouped: a runner reads them wherever they are, and the log shows them first.
"${pb[@]}" check --format github "$dir" >"$tmp/check" 2>&1
echo $? >"$tmp/check.rc"
cat "$tmp/check"
step fmt "${pb[@]}" fmt --check "$dir"
step test "${pb[@]}" test "$dir"

base=${PLAYBOOK_BASE:-}
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then base=origin/$GITHUB_BASE_REF; fi
diff_md=""
if [ -n "$base" ]; then
  if fork=$(git merge-base "$base" HEAD 2>"$tmp/merge-base.err"); then
    # diff scans the folder it runs in for the workspaces the change touches.
    if diff_md=$(cd "$dir" && "${pb[@]}" diff "$fork" HEAD --format markdown 2>"$tmp/diff.err"); then :; else
      diff_md="> playbook diff failed: $(tr '\n' ' ' <"$tmp/diff.err")"
    fi
  else
    diff_md="> no diff: no merge-base of $base and HEAD ($(tr '\n' ' ' <"$tmp/merge-base.err")); check out with fetch-depth: 0"
  fi
fi

# One row per step: ✅/❌ and the step's last line (check's summary, test's count).
row() {
  local name=$1 label=$2 rc last
  rc=$(cat "$tmp/$name.rc")
  last=$(grep -v '^::' "$tmp/$name" | sed '/^[[:space:]]*$/d' | tail -n 1 | sed 's/|/\\|/g')
  if [ "$rc" = 0 ]; then echo "| \`$label\` | ✅ | $last |"; else echo "| \`$label\` | ❌ exit $rc | $last |"; fi
}
{
  echo "$marker"
  echo "### Playbook: \`$dir\`"
  echo
  echo "| step | result | |"
  echo "| --- | --- | --- |"
  row check "playbook check"
  row fmt "playbook fmt --check"
  row test "playbook test"
  if [ -n "$diff_md" ]; then
    echo
    echo "$diff_md"
  fi
} >"$tmp/body.md"

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then sed 1d "$tmp/body.md" >>"$GITHUB_STEP_SUMMARY"; fi

pr=""
if [ -n "${GITHUB_EVENT_PATH:-}" ] && [ -f "$GITHUB_EVENT_PATH" ]; then
  pr=$(node -e 'const e = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(e.pull_request?.number ?? e.issue?.number ?? ""))' "$GITHUB_EVENT_PATH")
fi

if [ -n "${PLAYBOOK_COMMENT_FILE:-}" ]; then
  cp "$tmp/body.md" "$PLAYBOOK_COMMENT_FILE"
  echo "playbook-action: comment written to $PLAYBOOK_COMMENT_FILE (dry run)"
elif [ -z "${GITHUB_TOKEN:-}" ] || [ -z "$pr" ] || [ -z "${GITHUB_REPOSITORY:-}" ]; then
  echo "playbook-action: not posting (needs GITHUB_TOKEN, GITHUB_REPOSITORY and a pull_request event); the comment would be:"
  cat "$tmp/body.md"
else
  # One comment per pull request: the one carrying the marker is edited, else a new one is made.
  gh_api() {
    curl -sS --fail-with-body -H "Authorization: Bearer $GITHUB_TOKEN" -H "Accept: application/vnd.github+json" \
      -H "X-GitHub-Api-Version: 2022-11-28" "$@"
  }
  node -e 'process.stdout.write(JSON.stringify({ body: require("fs").readFileSync(process.argv[1], "utf8") }))' "$tmp/body.md" >"$tmp/body.json"
  if ! gh_api "$api/repos/$GITHUB_REPOSITORY/issues/$pr/comments?per_page=100" >"$tmp/comments.json"; then
    echo "::warning title=playbook-action::could not list the pull request's comments: $(cat "$tmp/comments.json")"
    echo "[]" >"$tmp/comments.json"
  fi
  id=$(node -e 'const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const m = Array.isArray(c) ? c.find((x) => typeof x.body === "string" && x.body.startsWith(process.argv[2])) : null; process.stdout.write(m ? String(m.id) : "")' "$tmp/comments.json" "$marker")
  if [ -n "$id" ]; then
    url="$api/repos/$GITHUB_REPOSITORY/issues/comments/$id"
    method=PATCH
  else
    url="$api/repos/$GITHUB_REPOSITORY/issues/$pr/comments"
    method=POST
  fi
  if gh_api -X "$method" --data-binary "@$tmp/body.json" "$url" >"$tmp/posted.json"; then
    if [ -n "$id" ]; then echo "playbook-action: edited comment $id on #$pr"; else echo "playbook-action: posted a comment on #$pr"; fi
  else
    echo "::warning title=playbook-action::could not post the comment: $(cat "$tmp/posted.json")"
  fi
fi

status=0
for s in check fmt test; do [ "$(cat "$tmp/$s.rc")" = 0 ] || status=1; done
exit $status
