# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hf_scan_global_optspecs
    string join \n no-ignore exclude= include= L/follow no-archives max-archive-depth= max-archive-bytes= max-item-work= max-file-size= format= o/output= show-secrets color= q/quiet v/verbose exit-code= report= verify only-verified no-verify-cache hf-endpoint= verify-timeout= ca-file= proxy= verify-concurrency= verify-max= verify-deadline= reach-requests= config= config-from= no-inline-allow baseline= write-baseline= history diff refs= staged pre-push hook= since= range= github-event= allow-pull-request-target j/threads= h/help V/version
end

function __fish_hf_scan_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hf_scan_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hf_scan_using_subcommand
    set -l cmd (__fish_hf_scan_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hf-scan -n "__fish_hf_scan_needs_command" -l exclude -d 'Skip paths matching GLOB (repeatable; gitignore syntax, matched like the config\'s exclude_paths)' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l include -d 'Scan only files whose path matches GLOB (repeatable; gitignore syntax, from the repository\'s top): in a tree, the index and history — what gitleaks users do with `--log-opts="-- PATH"`. Other files count as skipped' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l max-archive-depth -d 'How many archive and compression levels to open (`x.tar.gz` holds its files two levels down); deeper ones are scanned as raw bytes, with a warning' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l max-archive-bytes -d 'The most one compressed stream or archive member may inflate to; past it the scan of that member stops, with a warning. Accepts K, M, G suffixes' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l max-item-work -d 'The work one file, blob or standard input may cost, plus 64 times its own size: every byte its archives, compressed streams and formats produce, all layers together, bzip2 counted 4 times, xz twice, walks of pickles, .pyc, numpy, SQLite and TFRecord 8 times. Past it the rest of the item is not scanned, with a warning. Accepts K, M, G suffixes' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l max-file-size -d 'Do not scan files (and history blobs) larger than SIZE, as gitleaks\' --max-target-megabytes: they are counted in a notice. Accepts K, M, G suffixes' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l format -d 'Report format' -r -f -a "text\t'For people: one finding per line and a summary'
json\t'One JSON document, version 1 of the documented schema'
jsonl\t'One finding object per line'
sarif\t'SARIF 2.1.0, for GitHub code scanning and other dashboards'
github\t'GitHub Actions workflow commands (annotations)'
markdown\t'A Markdown table, for a GitHub job summary or a pull request comment'
html\t'One self-contained page for people: counts, a timeline, a sortable table'"
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s o -l output -d 'Write the report to FILE instead of standard output' -r -F
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l color -d 'When to colour text output; `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l exit-code -d 'Exit with N instead of 1 when there are findings (as gitleaks\' --exit-code). 2 keeps meaning an error or an incomplete scan, so N is neither 0 nor 2' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l report -d 'Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif --report markdown=summary.md`: one scan, several reports' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l hf-endpoint -d 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l verify-timeout -d 'Seconds before a request to the Hub gives up (a verification is then `unknown`)' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l ca-file -d 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked' -r -F
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l proxy -d 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l verify-concurrency -d 'Verification requests in flight at once (the Hub rate-limits whoami strictly)' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l verify-max -d 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub\'s rate limit' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l verify-deadline -d 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l reach-requests -d 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l config -d 'Project config (paths to skip, allowed token hashes, extra rules). Default: .hf-scan.toml in the first PATH directory, else at the top of its git work tree, if present' -r -F
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l config-from -d 'Read the project config (and its extra rule files, and a --baseline inside the repository) from this commit\'s tree instead of the working tree, so the change under test cannot edit what judges it. Implied by --github-event (the base of the change)' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l baseline -d 'Report only findings that are not in this baseline file' -r -F
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l write-baseline -d 'Write every finding of this scan to a baseline file, and accept them (exit 0; 2 when the scan was incomplete)' -r -F
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l refs -d 'With --history (implied): only the commits reachable from refs matching GLOB (`refs/heads/*`, `refs/tags/v*`; `HEAD` for HEAD), instead of every ref — a mirror\'s thousands of refs/pull/* for instance. Repeatable' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l hook -d 'Set by the pre-commit hooks\' `entry` (`.pre-commit-hooks.yaml`): which hook runs. pre-commit appends the user\'s `args:` and then file names; hf-scan tells them apart (a file name is never read as an option: README, "pre-commit"), and the advice fits the hook (a blocked commit never happened). `pre-push` implies --pre-push' -r -f -a "pre-commit\t'The commit hook: the files being committed'
commit-msg\t'The commit-message hook: the message file'
pre-push\t'The push hook: the commits being pushed (implies `--pre-push`)'"
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l since -d 'History of the commits reachable from HEAD but not from REV (implies --history)' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l range -d 'History of the commits reachable from B but not from A (implies --history): each token a commit of the range adds to a path, never one a parent already held there' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l github-event -d 'In GitHub Actions: scan the commits the triggering event adds, read from this payload ($GITHUB_EVENT_PATH) and $GITHUB_EVENT_NAME: a pull request\'s commits, a push\'s, or the whole history for schedule and workflow_dispatch. When GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are set, hf-scan also writes the step output `findings=N` and appends a Markdown summary' -r -F
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s j -l threads -d 'Worker threads. Default: the number of CPUs' -r
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l no-ignore -d 'Also scan files that .gitignore, .ignore and git\'s excludes would skip'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s L -l follow -d 'Follow symbolic links that stay inside the scanned directory (one leading out is reported, not followed; loops are detected and each file is scanned once)'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l no-archives -d 'Do not look inside archives and compressed files (zip, wheels, tar, gzip, bzip2, xz, zstd, container images): scan their raw bytes. Pickles and .pyc are still read'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l show-secrets -d 'Show tokens in full in every format. Default: redacted (hf_Ab…yZ)'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s q -l quiet -d 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s v -l verbose -d 'List on standard error each file scanned and each path passed over, with why (the config\'s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l verify -d 'Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or revoked, whose, with what role and scopes'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l only-verified -d 'Report only tokens the Hub says are valid, and those it could not check (implies --verify): a rate limit or an outage never turns a live token into a pass'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l no-verify-cache -d 'Ask the Hub about every token again instead of reusing recent answers from the verification cache (kept in the user\'s cache directory, keyed by SHA-256)'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l no-inline-allow -d 'Ignore `hf-scan:allow` and `hf-scan:allow-next-line` comments: every token is reported'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l history -d 'Scan every commit reachable from any ref (branches, remotes, tags, stash) of the repository at PATH, reporting each token at the commit that introduced it'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l diff -d 'Read a unified diff on standard input (`git diff | hf-scan --diff`) and report tokens on added lines only, at their path and line in the new file; a token removed and added back in one file is a move, not reported'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l staged -d 'Scan what is staged in the index (what `git commit` would record): the pre-commit mode'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l pre-push -d 'The pre-commit push hook\'s mode: what a push would add, from pre-commit\'s environment (PRE_COMMIT_REMOTE_NAME, PRE_COMMIT_TO_REF, PRE_COMMIT_FROM_REF): the commits any local branch, tag or HEAD reaches that the remote\'s tracking refs do not'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -l allow-pull-request-target -d 'Accept a pull_request_target event (see the README\'s "Security model" first)'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -s V -l version -d 'Print version'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -a "verify" -d 'Verify tokens read from standard input and print who owns each and what it can do'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -a "revoke" -d 'Revoke tokens through the Hub\'s revocation endpoint: those read from standard input, or with --from-scan those a scan of PATHs finds (never printed)'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -a "hub" -d 'Audit what users and organisations published on the Hub: every model, dataset and Space (their whole git history, every ref) and, with --discussions, their discussions. Private and gated repositories are read with HF_TOKEN or --token-file'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -a "man" -d 'Print the man page (roff), generated from these flags; with --out-dir, write it and one page per subcommand into DIR'
complete -c hf-scan -n "__fish_hf_scan_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l hf-endpoint -d 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l verify-timeout -d 'Seconds before a request to the Hub gives up (a verification is then `unknown`)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l ca-file -d 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l proxy -d 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l verify-concurrency -d 'Verification requests in flight at once (the Hub rate-limits whoami strictly)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l verify-max -d 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub\'s rate limit' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l verify-deadline -d 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l reach-requests -d 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l show-secrets -d 'Show tokens in full instead of redacted'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -l reach -d 'Incident response: count each live token\'s reach with a larger budget (at least 200 listing requests per token)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l org -d 'Cut the tokens off from this Enterprise organisation only, with its administrator\'s token (HF_TOKEN or --token-file): they keep working elsewhere' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l token-file -d 'With --org: read the administrator\'s token from FILE instead of HF_TOKEN' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l hf-endpoint -d 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l verify-timeout -d 'Seconds before a request to the Hub gives up (a verification is then `unknown`)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l ca-file -d 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l proxy -d 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l yes -d 'Do not ask for confirmation (required when there is no terminal to ask on)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -l from-scan -d 'Scan PATHs (default: the current directory) as `hf-scan PATH…` would and revoke every token reported, instead of reading tokens from standard input'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l author -d 'Every model, dataset and Space of this user or organisation (repeatable)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l model -d 'A model to audit, `owner/name` (repeatable)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l dataset -d 'A dataset to audit, `owner/name` (repeatable)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l space -d 'A Space to audit, `owner/name` (repeatable)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l kernel -d 'A kernel repository to audit, `owner/name` (repeatable)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l bucket -d 'A Storage Bucket to audit, `owner/name` (repeatable): its files as they are now, each up to --max-lfs-size. --author lists the author\'s buckets too' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l max-lfs-size -d 'Fetch and scan LFS objects up to this size (K, M, G suffixes); larger ones are listed in a notice' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l shard -d 'Audit only every N-th repository of the sorted list, starting at the K-th (`K/N`), so N jobs audit an organisation together' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l cache-dir -d 'Where the bare mirrors are kept, and fetched again on the next run. Default: hub/ in the user\'s cache directory' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l token-file -d 'Read the token for private and gated repositories from FILE instead of HF_TOKEN. It is sent only to the endpoint, never printed and never written to disk' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l clone-jobs -d 'Repositories mirrored at once' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l clone-timeout -d 'The longest one repository\'s clone or fetch may take; past it git is stopped and the repository is reported as not mirrored (a transfer slower than 1 KiB/s for 60 s is abandoned sooner)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l config -d 'A config with allowed token hashes and extra rules (its exclude_paths apply to paths inside each repository)' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l baseline -d 'Report only findings that are not in this baseline file' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l write-baseline -d 'Write every finding of this audit to a baseline file, and accept them (exit 0)' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -s j -l threads -d 'Worker threads for scanning. Default: the number of CPUs' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l format -d 'Report format' -r -f -a "text\t'For people: one finding per line and a summary'
json\t'One JSON document, version 1 of the documented schema'
jsonl\t'One finding object per line'
sarif\t'SARIF 2.1.0, for GitHub code scanning and other dashboards'
github\t'GitHub Actions workflow commands (annotations)'
markdown\t'A Markdown table, for a GitHub job summary or a pull request comment'
html\t'One self-contained page for people: counts, a timeline, a sortable table'"
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -s o -l output -d 'Write the report to FILE instead of standard output' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l color -d 'When to colour text output; `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l exit-code -d 'Exit with N instead of 1 when there are findings (as gitleaks\' --exit-code). 2 keeps meaning an error or an incomplete scan, so N is neither 0 nor 2' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l report -d 'Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif --report markdown=summary.md`: one scan, several reports' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l hf-endpoint -d 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l verify-timeout -d 'Seconds before a request to the Hub gives up (a verification is then `unknown`)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l ca-file -d 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l proxy -d 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l verify-concurrency -d 'Verification requests in flight at once (the Hub rate-limits whoami strictly)' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l verify-max -d 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub\'s rate limit' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l verify-deadline -d 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l reach-requests -d 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it' -r
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l discussions -d 'Also scan every discussion and pull request: titles and comments'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l jobs -d 'Also scan each --author\'s Jobs and scheduled Jobs: their environment values, command and arguments (needs a token that may list them)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l no-inline-allow -d 'Ignore `hf-scan:allow` comments'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l show-secrets -d 'Show tokens in full in every format. Default: redacted (hf_Ab…yZ)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -s q -l quiet -d 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -s v -l verbose -d 'List on standard error each file scanned and each path passed over, with why (the config\'s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l verify -d 'Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or revoked, whose, with what role and scopes'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l only-verified -d 'Report only tokens the Hub says are valid, and those it could not check (implies --verify): a rate limit or an outage never turns a live token into a pass'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -l no-verify-cache -d 'Ask the Hub about every token again instead of reusing recent answers from the verification cache (kept in the user\'s cache directory, keyed by SHA-256)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand hub" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand completions" -s h -l help -d 'Print help'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand man" -l out-dir -d 'Write hf-scan.1 and hf-scan-SUBCOMMAND.1 here instead of printing hf-scan.1' -r -F
complete -c hf-scan -n "__fish_hf_scan_using_subcommand man" -s h -l help -d 'Print help'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand help; and not __fish_seen_subcommand_from verify revoke hub completions man help" -f -a "verify" -d 'Verify tokens read from standard input and print who owns each and what it can do'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand help; and not __fish_seen_subcommand_from verify revoke hub completions man help" -f -a "revoke" -d 'Revoke tokens through the Hub\'s revocation endpoint: those read from standard input, or with --from-scan those a scan of PATHs finds (never printed)'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand help; and not __fish_seen_subcommand_from verify revoke hub completions man help" -f -a "hub" -d 'Audit what users and organisations published on the Hub: every model, dataset and Space (their whole git history, every ref) and, with --discussions, their discussions. Private and gated repositories are read with HF_TOKEN or --token-file'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand help; and not __fish_seen_subcommand_from verify revoke hub completions man help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand help; and not __fish_seen_subcommand_from verify revoke hub completions man help" -f -a "man" -d 'Print the man page (roff), generated from these flags; with --out-dir, write it and one page per subcommand into DIR'
complete -c hf-scan -n "__fish_hf_scan_using_subcommand help; and not __fish_seen_subcommand_from verify revoke hub completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
