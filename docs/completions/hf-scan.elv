
use builtin;
use str;

set edit:completion:arg-completer[hf-scan] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hf-scan'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hf-scan'= {
            cand --exclude 'Skip paths matching GLOB (repeatable; gitignore syntax, matched like the config''s exclude_paths)'
            cand --include 'Scan only files whose path matches GLOB (repeatable; gitignore syntax, from the repository''s top): in a tree, the index and history — what gitleaks users do with `--log-opts="-- PATH"`. Other files count as skipped'
            cand --max-archive-depth 'How many archive and compression levels to open (`x.tar.gz` holds its files two levels down); deeper ones are scanned as raw bytes, with a warning'
            cand --max-archive-bytes 'The most one compressed stream or archive member may inflate to; past it the scan of that member stops, with a warning. Accepts K, M, G suffixes'
            cand --max-item-work 'The work one file, blob or standard input may cost, plus 64 times its own size: every byte its archives, compressed streams and formats produce, all layers together, bzip2 counted 4 times, xz twice, walks of pickles, .pyc, numpy, SQLite and TFRecord 8 times. Past it the rest of the item is not scanned, with a warning. Accepts K, M, G suffixes'
            cand --max-file-size 'Do not scan files (and history blobs) larger than SIZE, as gitleaks'' --max-target-megabytes: they are counted in a notice. Accepts K, M, G suffixes'
            cand --format 'Report format'
            cand -o 'Write the report to FILE instead of standard output'
            cand --output 'Write the report to FILE instead of standard output'
            cand --color 'When to colour text output; `auto` colours a terminal unless NO_COLOR is set'
            cand --exit-code 'Exit with N instead of 1 when there are findings (as gitleaks'' --exit-code). 2 keeps meaning an error or an incomplete scan, so N is neither 0 nor 2'
            cand --report 'Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif --report markdown=summary.md`: one scan, several reports'
            cand --hf-endpoint 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused'
            cand --verify-timeout 'Seconds before a request to the Hub gives up (a verification is then `unknown`)'
            cand --ca-file 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked'
            cand --proxy 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel'
            cand --verify-concurrency 'Verification requests in flight at once (the Hub rate-limits whoami strictly)'
            cand --verify-max 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub''s rate limit'
            cand --verify-deadline 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason'
            cand --reach-requests 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it'
            cand --config 'Project config (paths to skip, allowed token hashes, extra rules). Default: .hf-scan.toml in the first PATH directory, else at the top of its git work tree, if present'
            cand --config-from 'Read the project config (and its extra rule files, and a --baseline inside the repository) from this commit''s tree instead of the working tree, so the change under test cannot edit what judges it. Implied by --github-event (the base of the change)'
            cand --baseline 'Report only findings that are not in this baseline file'
            cand --write-baseline 'Write every finding of this scan to a baseline file, and accept them (exit 0; 2 when the scan was incomplete)'
            cand --refs 'With --history (implied): only the commits reachable from refs matching GLOB (`refs/heads/*`, `refs/tags/v*`; `HEAD` for HEAD), instead of every ref — a mirror''s thousands of refs/pull/* for instance. Repeatable'
            cand --hook 'Set by the pre-commit hooks'' `entry` (`.pre-commit-hooks.yaml`): which hook runs. pre-commit appends the user''s `args:` and then file names; hf-scan tells them apart (a file name is never read as an option: README, "pre-commit"), and the advice fits the hook (a blocked commit never happened). `pre-push` implies --pre-push'
            cand --since 'History of the commits reachable from HEAD but not from REV (implies --history)'
            cand --range 'History of the commits reachable from B but not from A (implies --history): each token a commit of the range adds to a path, never one a parent already held there'
            cand --github-event 'In GitHub Actions: scan the commits the triggering event adds, read from this payload ($GITHUB_EVENT_PATH) and $GITHUB_EVENT_NAME: a pull request''s commits, a push''s, or the whole history for schedule and workflow_dispatch. When GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are set, hf-scan also writes the step output `findings=N` and appends a Markdown summary'
            cand -j 'Worker threads. Default: the number of CPUs'
            cand --threads 'Worker threads. Default: the number of CPUs'
            cand --no-ignore 'Also scan files that .gitignore, .ignore and git''s excludes would skip'
            cand -L 'Follow symbolic links that stay inside the scanned directory (one leading out is reported, not followed; loops are detected and each file is scanned once)'
            cand --follow 'Follow symbolic links that stay inside the scanned directory (one leading out is reported, not followed; loops are detected and each file is scanned once)'
            cand --no-archives 'Do not look inside archives and compressed files (zip, wheels, tar, gzip, bzip2, xz, zstd, container images): scan their raw bytes. Pickles and .pyc are still read'
            cand --show-secrets 'Show tokens in full in every format. Default: redacted (hf_Ab…yZ)'
            cand -q 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)'
            cand --quiet 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)'
            cand -v 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed'
            cand --verbose 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed'
            cand --verify 'Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or revoked, whose, with what role and scopes'
            cand --only-verified 'Report only tokens the Hub says are valid, and those it could not check (implies --verify): a rate limit or an outage never turns a live token into a pass'
            cand --no-verify-cache 'Ask the Hub about every token again instead of reusing recent answers from the verification cache (kept in the user''s cache directory, keyed by SHA-256)'
            cand --no-inline-allow 'Ignore `hf-scan:allow` and `hf-scan:allow-next-line` comments: every token is reported'
            cand --history 'Scan every commit reachable from any ref (branches, remotes, tags, stash) of the repository at PATH, reporting each token at the commit that introduced it'
            cand --diff 'Read a unified diff on standard input (`git diff | hf-scan --diff`) and report tokens on added lines only, at their path and line in the new file; a token removed and added back in one file is a move, not reported'
            cand --staged 'Scan what is staged in the index (what `git commit` would record): the pre-commit mode'
            cand --pre-push 'The pre-commit push hook''s mode: what a push would add, from pre-commit''s environment (PRE_COMMIT_REMOTE_NAME, PRE_COMMIT_TO_REF, PRE_COMMIT_FROM_REF): the commits any local branch, tag or HEAD reaches that the remote''s tracking refs do not'
            cand --allow-pull-request-target 'Accept a pull_request_target event (see the README''s "Security model" first)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand verify 'Verify tokens read from standard input and print who owns each and what it can do'
            cand revoke 'Revoke tokens through the Hub''s revocation endpoint: those read from standard input, or with --from-scan those a scan of PATHs finds (never printed)'
            cand hub 'Audit what users and organisations published on the Hub: every model, dataset and Space (their whole git history, every ref) and, with --discussions, their discussions. Private and gated repositories are read with HF_TOKEN or --token-file'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`'
            cand man 'Print the man page (roff), generated from these flags; with --out-dir, write it and one page per subcommand into DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hf-scan;verify'= {
            cand --format 'Output format'
            cand --hf-endpoint 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused'
            cand --verify-timeout 'Seconds before a request to the Hub gives up (a verification is then `unknown`)'
            cand --ca-file 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked'
            cand --proxy 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel'
            cand --verify-concurrency 'Verification requests in flight at once (the Hub rate-limits whoami strictly)'
            cand --verify-max 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub''s rate limit'
            cand --verify-deadline 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason'
            cand --reach-requests 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it'
            cand --show-secrets 'Show tokens in full instead of redacted'
            cand --reach 'Incident response: count each live token''s reach with a larger budget (at least 200 listing requests per token)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hf-scan;revoke'= {
            cand --org 'Cut the tokens off from this Enterprise organisation only, with its administrator''s token (HF_TOKEN or --token-file): they keep working elsewhere'
            cand --token-file 'With --org: read the administrator''s token from FILE instead of HF_TOKEN'
            cand --hf-endpoint 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused'
            cand --verify-timeout 'Seconds before a request to the Hub gives up (a verification is then `unknown`)'
            cand --ca-file 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked'
            cand --proxy 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel'
            cand --yes 'Do not ask for confirmation (required when there is no terminal to ask on)'
            cand --from-scan 'Scan PATHs (default: the current directory) as `hf-scan PATH…` would and revoke every token reported, instead of reading tokens from standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hf-scan;hub'= {
            cand --author 'Every model, dataset and Space of this user or organisation (repeatable)'
            cand --model 'A model to audit, `owner/name` (repeatable)'
            cand --dataset 'A dataset to audit, `owner/name` (repeatable)'
            cand --space 'A Space to audit, `owner/name` (repeatable)'
            cand --kernel 'A kernel repository to audit, `owner/name` (repeatable)'
            cand --bucket 'A Storage Bucket to audit, `owner/name` (repeatable): its files as they are now, each up to --max-lfs-size. --author lists the author''s buckets too'
            cand --max-lfs-size 'Fetch and scan LFS objects up to this size (K, M, G suffixes); larger ones are listed in a notice'
            cand --shard 'Audit only every N-th repository of the sorted list, starting at the K-th (`K/N`), so N jobs audit an organisation together'
            cand --cache-dir 'Where the bare mirrors are kept, and fetched again on the next run. Default: hub/ in the user''s cache directory'
            cand --token-file 'Read the token for private and gated repositories from FILE instead of HF_TOKEN. It is sent only to the endpoint, never printed and never written to disk'
            cand --clone-jobs 'Repositories mirrored at once'
            cand --clone-timeout 'The longest one repository''s clone or fetch may take; past it git is stopped and the repository is reported as not mirrored (a transfer slower than 1 KiB/s for 60 s is abandoned sooner)'
            cand --config 'A config with allowed token hashes and extra rules (its exclude_paths apply to paths inside each repository)'
            cand --baseline 'Report only findings that are not in this baseline file'
            cand --write-baseline 'Write every finding of this audit to a baseline file, and accept them (exit 0)'
            cand -j 'Worker threads for scanning. Default: the number of CPUs'
            cand --threads 'Worker threads for scanning. Default: the number of CPUs'
            cand --format 'Report format'
            cand -o 'Write the report to FILE instead of standard output'
            cand --output 'Write the report to FILE instead of standard output'
            cand --color 'When to colour text output; `auto` colours a terminal unless NO_COLOR is set'
            cand --exit-code 'Exit with N instead of 1 when there are findings (as gitleaks'' --exit-code). 2 keeps meaning an error or an incomplete scan, so N is neither 0 nor 2'
            cand --report 'Also write the report in FORMAT to FILE (repeatable), e.g. `--report sarif=hf-scan.sarif --report markdown=summary.md`: one scan, several reports'
            cand --hf-endpoint 'The Hub to talk to. Default: the HF_ENDPOINT environment variable (announced before any token is sent), else https://huggingface.co. Plain http is refused except to a loopback host; user info, a query or a fragment are refused'
            cand --verify-timeout 'Seconds before a request to the Hub gives up (a verification is then `unknown`)'
            cand --ca-file 'A PEM file of CA certificates to trust in addition to the bundled ones (a proxy that inspects TLS). Certificates are always checked'
            cand --proxy 'Send Hub requests through this http(s) proxy. Proxy environment variables are ignored: only this flag chooses where tokens travel'
            cand --verify-concurrency 'Verification requests in flight at once (the Hub rate-limits whoami strictly)'
            cand --verify-max 'The most distinct tokens verified in one run; the rest are reported `unknown`, so a change that plants thousands of fake tokens cannot spend the Hub''s rate limit'
            cand --verify-deadline 'Seconds the whole verification may take, rate-limit pauses included; what is not checked by then is `unknown`, with that reason'
            cand --reach-requests 'Listing requests spent per live token to count what it reaches (namespaces, models, datasets, Spaces, private ones, the most downloaded it can write to); 0 skips it'
            cand --discussions 'Also scan every discussion and pull request: titles and comments'
            cand --jobs 'Also scan each --author''s Jobs and scheduled Jobs: their environment values, command and arguments (needs a token that may list them)'
            cand --no-inline-allow 'Ignore `hf-scan:allow` comments'
            cand --show-secrets 'Show tokens in full in every format. Default: redacted (hf_Ab…yZ)'
            cand -q 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)'
            cand --quiet 'Print findings only: no summary, no progress, no warnings (an incomplete scan still says so, in one line on standard error)'
            cand -v 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed'
            cand --verbose 'List on standard error each file scanned and each path passed over, with why (the config''s exclusion, --include, ignore rules, --max-file-size). In --history, the path versions passed over, each with its commit; the blobs scanned are counted, not listed'
            cand --verify 'Check each distinct token live against the Hub (GET {endpoint}/api/whoami-v2): valid or revoked, whose, with what role and scopes'
            cand --only-verified 'Report only tokens the Hub says are valid, and those it could not check (implies --verify): a rate limit or an outage never turns a live token into a pass'
            cand --no-verify-cache 'Ask the Hub about every token again instead of reusing recent answers from the verification cache (kept in the user''s cache directory, keyed by SHA-256)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'hf-scan;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hf-scan;man'= {
            cand --out-dir 'Write hf-scan.1 and hf-scan-SUBCOMMAND.1 here instead of printing hf-scan.1'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hf-scan;help'= {
            cand verify 'Verify tokens read from standard input and print who owns each and what it can do'
            cand revoke 'Revoke tokens through the Hub''s revocation endpoint: those read from standard input, or with --from-scan those a scan of PATHs finds (never printed)'
            cand hub 'Audit what users and organisations published on the Hub: every model, dataset and Space (their whole git history, every ref) and, with --discussions, their discussions. Private and gated repositories are read with HF_TOKEN or --token-file'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish), generated from these flags. For bash: `hf-scan completions bash > ~/.local/share/bash-completion/completions/hf-scan`'
            cand man 'Print the man page (roff), generated from these flags; with --out-dir, write it and one page per subcommand into DIR'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hf-scan;help;verify'= {
        }
        &'hf-scan;help;revoke'= {
        }
        &'hf-scan;help;hub'= {
        }
        &'hf-scan;help;completions'= {
        }
        &'hf-scan;help;man'= {
        }
        &'hf-scan;help;help'= {
        }
    ]
    $completions[$command]
}
