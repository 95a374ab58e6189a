
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hf-scan' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hf-scan'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hf-scan' {
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Skip paths matching GLOB (repeatable; gitignore syntax, matched like the config''s exclude_paths)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Scan only files whose path matches GLOB (repeatable; gitignore syntax, from the repository''s top): in a tree, the index and history — what gitleaks users do with `--log-opts="-- PATH"`. Other files count as skipped')
            [CompletionResult]::new('--max-archive-depth', '--max-archive-depth', [CompletionResultType]::ParameterName, 'How many archive and compression levels to open (`x.tar.gz` holds its files two levels down); deeper ones are scanned as raw bytes, with a warning')
            [CompletionResult]::new('--max-archive-bytes', '--max-archive-bytes', [CompletionResultType]::ParameterName, 'The most one compressed stream or archive member may inflate to; past it the scan of that member stops, with a warning. Accepts K, M, G suffixes')
            [CompletionResult]::new('--max-item-work', '--max-item-work', [CompletionResultType]::ParameterName, 'The work one file, blob or standard input may cost, plus 64 times its own size: every byte its archives, compressed streams and formats produce, all layers together, bzip2 counted 4 times, xz twice, walks of pickles, .pyc, numpy, SQLite and TFRecord 8 times. Past it the rest of the item is not scanned, with a warning. Accepts K, M, G suffixes')
            [CompletionResult]::new('--max-file-size', '--max-file-size', [CompletionResultType]::ParameterName, 'Do not scan files (and history blobs) larger than SIZE, as gitleaks'' --max-target-megabytes: they are counted in a notice. Accepts K, M, G suffixes')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of standard output')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour text output; `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with N instead of 1 when there are findings (as gitleaks'' --exit-code). 2 keeps meaning an error or an incomplete scan, so N is neither 0 nor 2')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif --report markdown=summary.md`: one scan, several reports')
            [CompletionResult]::new('--hf-endpoint', '--hf-endpoint', [CompletionResultType]::ParameterName, 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'Seconds before a request to the Hub gives up (a verification is then `unknown`)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel')
            [CompletionResult]::new('--verify-concurrency', '--verify-concurrency', [CompletionResultType]::ParameterName, 'Verification requests in flight at once (the Hub rate-limits whoami strictly)')
            [CompletionResult]::new('--verify-max', '--verify-max', [CompletionResultType]::ParameterName, 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub''s rate limit')
            [CompletionResult]::new('--verify-deadline', '--verify-deadline', [CompletionResultType]::ParameterName, 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason')
            [CompletionResult]::new('--reach-requests', '--reach-requests', [CompletionResultType]::ParameterName, 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Project config (paths to skip, allowed token hashes, extra rules). Default: .hf-scan.toml in the first PATH directory, else at the top of its git work tree, if present')
            [CompletionResult]::new('--config-from', '--config-from', [CompletionResultType]::ParameterName, 'Read the project config (and its extra rule files, and a --baseline inside the repository) from this commit''s tree instead of the working tree, so the change under test cannot edit what judges it. Implied by --github-event (the base of the change)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Report only findings that are not in this baseline file')
            [CompletionResult]::new('--write-baseline', '--write-baseline', [CompletionResultType]::ParameterName, 'Write every finding of this scan to a baseline file, and accept them (exit 0; 2 when the scan was incomplete)')
            [CompletionResult]::new('--refs', '--refs', [CompletionResultType]::ParameterName, 'With --history (implied): only the commits reachable from refs matching GLOB (`refs/heads/*`, `refs/tags/v*`; `HEAD` for HEAD), instead of every ref — a mirror''s thousands of refs/pull/* for instance. Repeatable')
            [CompletionResult]::new('--hook', '--hook', [CompletionResultType]::ParameterName, 'Set by the pre-commit hooks'' `entry` (`.pre-commit-hooks.yaml`): which hook runs. pre-commit appends the user''s `args:` and then file names; hf-scan tells them apart (a file name is never read as an option: README, "pre-commit"), and the advice fits the hook (a blocked commit never happened). `pre-push` implies --pre-push')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'History of the commits reachable from HEAD but not from REV (implies --history)')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'History of the commits reachable from B but not from A (implies --history): each token a commit of the range adds to a path, never one a parent already held there')
            [CompletionResult]::new('--github-event', '--github-event', [CompletionResultType]::ParameterName, 'In GitHub Actions: scan the commits the triggering event adds, read from this payload ($GITHUB_EVENT_PATH) and $GITHUB_EVENT_NAME: a pull request''s commits, a push''s, or the whole history for schedule and workflow_dispatch. When GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are set, hf-scan also writes the step output `findings=N` and appends a Markdown summary')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads. Default: the number of CPUs')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads. Default: the number of CPUs')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Also scan files that .gitignore, .ignore and git''s excludes would skip')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links that stay inside the scanned directory (one leading out is reported, not followed; loops are detected and each file is scanned once)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links that stay inside the scanned directory (one leading out is reported, not followed; loops are detected and each file is scanned once)')
            [CompletionResult]::new('--no-archives', '--no-archives', [CompletionResultType]::ParameterName, 'Do not look inside archives and compressed files (zip, wheels, tar, gzip, bzip2, xz, zstd, container images): scan their raw bytes. Pickles and .pyc are still read')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show tokens in full in every format. Default: redacted (hf_Ab…yZ)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or revoked, whose, with what role and scopes')
            [CompletionResult]::new('--only-verified', '--only-verified', [CompletionResultType]::ParameterName, 'Report only tokens the Hub says are valid, and those it could not check (implies --verify): a rate limit or an outage never turns a live token into a pass')
            [CompletionResult]::new('--no-verify-cache', '--no-verify-cache', [CompletionResultType]::ParameterName, 'Ask the Hub about every token again instead of reusing recent answers from the verification cache (kept in the user''s cache directory, keyed by SHA-256)')
            [CompletionResult]::new('--no-inline-allow', '--no-inline-allow', [CompletionResultType]::ParameterName, 'Ignore `hf-scan:allow` and `hf-scan:allow-next-line` comments: every token is reported')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'Scan every commit reachable from any ref (branches, remotes, tags, stash) of the repository at PATH, reporting each token at the commit that introduced it')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Read a unified diff on standard input (`git diff | hf-scan --diff`) and report tokens on added lines only, at their path and line in the new file; a token removed and added back in one file is a move, not reported')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Scan what is staged in the index (what `git commit` would record): the pre-commit mode')
            [CompletionResult]::new('--pre-push', '--pre-push', [CompletionResultType]::ParameterName, 'The pre-commit push hook''s mode: what a push would add, from pre-commit''s environment (PRE_COMMIT_REMOTE_NAME, PRE_COMMIT_TO_REF, PRE_COMMIT_FROM_REF): the commits any local branch, tag or HEAD reaches that the remote''s tracking refs do not')
            [CompletionResult]::new('--allow-pull-request-target', '--allow-pull-request-target', [CompletionResultType]::ParameterName, 'Accept a pull_request_target event (see the README''s "Security model" first)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify tokens read from standard input and print who owns each and what it can do')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke tokens through the Hub''s revocation endpoint: those read from standard input, or with --from-scan those a scan of PATHs finds (never printed)')
            [CompletionResult]::new('hub', 'hub', [CompletionResultType]::ParameterValue, 'Audit what users and organisations published on the Hub: every model, dataset and Space (their whole git history, every ref) and, with --discussions, their discussions. Private and gated repositories are read with HF_TOKEN or --token-file')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), generated from these flags; with --out-dir, write it and one page per subcommand into DIR')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hf-scan;verify' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--hf-endpoint', '--hf-endpoint', [CompletionResultType]::ParameterName, 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'Seconds before a request to the Hub gives up (a verification is then `unknown`)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel')
            [CompletionResult]::new('--verify-concurrency', '--verify-concurrency', [CompletionResultType]::ParameterName, 'Verification requests in flight at once (the Hub rate-limits whoami strictly)')
            [CompletionResult]::new('--verify-max', '--verify-max', [CompletionResultType]::ParameterName, 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub''s rate limit')
            [CompletionResult]::new('--verify-deadline', '--verify-deadline', [CompletionResultType]::ParameterName, 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason')
            [CompletionResult]::new('--reach-requests', '--reach-requests', [CompletionResultType]::ParameterName, 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show tokens in full instead of redacted')
            [CompletionResult]::new('--reach', '--reach', [CompletionResultType]::ParameterName, 'Incident response: count each live token''s reach with a larger budget (at least 200 listing requests per token)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hf-scan;revoke' {
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Cut the tokens off from this Enterprise organisation only, with its administrator''s token (HF_TOKEN or --token-file): they keep working elsewhere')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'With --org: read the administrator''s token from FILE instead of HF_TOKEN')
            [CompletionResult]::new('--hf-endpoint', '--hf-endpoint', [CompletionResultType]::ParameterName, 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'Seconds before a request to the Hub gives up (a verification is then `unknown`)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required when there is no terminal to ask on)')
            [CompletionResult]::new('--from-scan', '--from-scan', [CompletionResultType]::ParameterName, 'Scan PATHs (default: the current directory) as `hf-scan PATH…` would and revoke every token reported, instead of reading tokens from standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hf-scan;hub' {
            [CompletionResult]::new('--author', '--author', [CompletionResultType]::ParameterName, 'Every model, dataset and Space of this user or organisation (repeatable)')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'A model to audit, `owner/name` (repeatable)')
            [CompletionResult]::new('--dataset', '--dataset', [CompletionResultType]::ParameterName, 'A dataset to audit, `owner/name` (repeatable)')
            [CompletionResult]::new('--space', '--space', [CompletionResultType]::ParameterName, 'A Space to audit, `owner/name` (repeatable)')
            [CompletionResult]::new('--kernel', '--kernel', [CompletionResultType]::ParameterName, 'A kernel repository to audit, `owner/name` (repeatable)')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'A Storage Bucket to audit, `owner/name` (repeatable): its files as they are now, each up to --max-lfs-size. --author lists the author''s buckets too')
            [CompletionResult]::new('--max-lfs-size', '--max-lfs-size', [CompletionResultType]::ParameterName, 'Fetch and scan LFS objects up to this size (K, M, G suffixes); larger ones are listed in a notice')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Audit only every N-th repository of the sorted list, starting at the K-th (`K/N`), so N jobs audit an organisation together')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the bare mirrors are kept, and fetched again on the next run. Default: hub/ in the user''s cache directory')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the token for private and gated repositories from FILE instead of HF_TOKEN. It is sent only to the endpoint, never printed and never written to disk')
            [CompletionResult]::new('--clone-jobs', '--clone-jobs', [CompletionResultType]::ParameterName, 'Repositories mirrored at once')
            [CompletionResult]::new('--clone-timeout', '--clone-timeout', [CompletionResultType]::ParameterName, 'The longest one repository''s clone or fetch may take; past it git is stopped and the repository is reported as not mirrored (a transfer slower than 1 KiB/s for 60 s is abandoned sooner)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A config with allowed token hashes and extra rules (its exclude_paths apply to paths inside each repository)')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Report only findings that are not in this baseline file')
            [CompletionResult]::new('--write-baseline', '--write-baseline', [CompletionResultType]::ParameterName, 'Write every finding of this audit to a baseline file, and accept them (exit 0)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for scanning. Default: the number of CPUs')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for scanning. Default: the number of CPUs')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of standard output')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour text output; `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with N instead of 1 when there are findings (as gitleaks'' --exit-code). 2 keeps meaning an error or an incomplete scan, so N is neither 0 nor 2')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif --report markdown=summary.md`: one scan, several reports')
            [CompletionResult]::new('--hf-endpoint', '--hf-endpoint', [CompletionResultType]::ParameterName, 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused')
            [CompletionResult]::new('--verify-timeout', '--verify-timeout', [CompletionResultType]::ParameterName, 'Seconds before a request to the Hub gives up (a verification is then `unknown`)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel')
            [CompletionResult]::new('--verify-concurrency', '--verify-concurrency', [CompletionResultType]::ParameterName, 'Verification requests in flight at once (the Hub rate-limits whoami strictly)')
            [CompletionResult]::new('--verify-max', '--verify-max', [CompletionResultType]::ParameterName, 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub''s rate limit')
            [CompletionResult]::new('--verify-deadline', '--verify-deadline', [CompletionResultType]::ParameterName, 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason')
            [CompletionResult]::new('--reach-requests', '--reach-requests', [CompletionResultType]::ParameterName, 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it')
            [CompletionResult]::new('--discussions', '--discussions', [CompletionResultType]::ParameterName, 'Also scan every discussion and pull request: titles and comments')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Also scan each --author''s Jobs and scheduled Jobs: their environment values, command and arguments (needs a token that may list them)')
            [CompletionResult]::new('--no-inline-allow', '--no-inline-allow', [CompletionResultType]::ParameterName, 'Ignore `hf-scan:allow` comments')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Show tokens in full in every format. Default: redacted (hf_Ab…yZ)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or revoked, whose, with what role and scopes')
            [CompletionResult]::new('--only-verified', '--only-verified', [CompletionResultType]::ParameterName, 'Report only tokens the Hub says are valid, and those it could not check (implies --verify): a rate limit or an outage never turns a live token into a pass')
            [CompletionResult]::new('--no-verify-cache', '--no-verify-cache', [CompletionResultType]::ParameterName, 'Ask the Hub about every token again instead of reusing recent answers from the verification cache (kept in the user''s cache directory, keyed by SHA-256)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hf-scan;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hf-scan;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write hf-scan.1 and hf-scan-SUBCOMMAND.1 here instead of printing hf-scan.1')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hf-scan;help' {
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify tokens read from standard input and print who owns each and what it can do')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke tokens through the Hub''s revocation endpoint: those read from standard input, or with --from-scan those a scan of PATHs finds (never printed)')
            [CompletionResult]::new('hub', 'hub', [CompletionResultType]::ParameterValue, 'Audit what users and organisations published on the Hub: every model, dataset and Space (their whole git history, every ref) and, with --discussions, their discussions. Private and gated repositories are read with HF_TOKEN or --token-file')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), generated from these flags; with --out-dir, write it and one page per subcommand into DIR')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hf-scan;help;verify' {
            break
        }
        'hf-scan;help;revoke' {
            break
        }
        'hf-scan;help;hub' {
            break
        }
        'hf-scan;help;completions' {
            break
        }
        'hf-scan;help;man' {
            break
        }
        'hf-scan;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
