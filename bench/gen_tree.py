#!/usr/bin/env python3
"""Generates a synthetic source tree for benchmarking hf-scan against ripgrep.

Usage: gen_tree.py DIR [--files N] [--seed S]

Tens of thousands of source-like files (Python, notebooks, YAML, shell, Markdown) full of
`hf_`-prefixed identifiers that must not match, a few hundred planted fake tokens that must,
and some binary files. Prints how many tokens were planted, so the benchmark can check that
hf-scan found them all. The tokens are random letters made here; none was ever issued.
"""
import argparse
import os
import random
import string

# Letters only, as every real Hub token in public view is (digits appear only on the Hub's
# staging instance): the peers' rules (`hf_[a-zA-Z]{34}`) can match every planted token.
ALNUM = string.ascii_letters

CODE_LINES = [
    "from huggingface_hub import hf_hub_download, hf_hub_url, snapshot_download",
    "path = hf_hub_download(repo_id=repo, filename='config.json', revision=rev)",
    "    if hf_transfer_enabled and not offline:",
    "    hf_raise_for_status(response)",
    "def load_model(name: str, device: str = 'cpu') -> torch.nn.Module:",
    "    model = AutoModel.from_pretrained(name, token=os.environ.get('HF_TOKEN'))",
    "    return model.to(device).eval()",
    "for step, batch in enumerate(loader):",
    "    loss = criterion(model(batch['input_ids']), batch['labels'])",
    "    optimizer.step(); scheduler.step(); optimizer.zero_grad()",
    "logger.info('epoch %d step %d loss %.4f', epoch, step, loss.item())",
    "HF_HUB_ENABLE_HF_TRANSFER=1 huggingface-cli download org/model --local-dir ./weights",
    "  - name: Download weights",
    "    run: python -c \"from huggingface_hub import hf_hub_download; print('ok')\"",
    "# See https://huggingface.co/docs/hub/security-tokens for hf_ token handling.",
    "export HF_HOME=/cache/hf_home HF_DATASETS_CACHE=/cache/hf_datasets",
    "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased', use_fast=True)",
    "assert len(dataset) > 0, f'empty split {split}'",
    "class Trainer:  # a trainer that pushes checkpoints with hf_api.upload_folder",
    "    \"\"\"Runs training; hf_api_token comes from the environment, never from code.\"\"\"",
]

EXTENSIONS = [".py", ".py", ".py", ".ipynb", ".yaml", ".sh", ".md", ".txt", ".json"]


def random_token(rng, prefix="hf_"):
    return prefix + "".join(rng.choice(ALNUM) for _ in range(34))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--files", type=int, default=30000)
    parser.add_argument("--binaries", type=int, default=200)
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    planted_in = set(rng.sample(range(args.files), args.tokens))
    total = 0
    for i in range(args.files):
        subdir = os.path.join(args.dir, f"pkg{i % 97}", f"mod{i % 13}")
        os.makedirs(subdir, exist_ok=True)
        lines = [rng.choice(CODE_LINES) for _ in range(rng.randint(40, 260))]
        if i in planted_in:
            token = random_token(rng, "api_org_" if i % 10 == 0 else "hf_")
            lines.insert(rng.randrange(len(lines)), f"HF_TOKEN = \"{token}\"")
        data = ("\n".join(lines) + "\n").encode()
        with open(os.path.join(subdir, f"file{i}{rng.choice(EXTENSIONS)}"), "wb") as out:
            out.write(data)
        total += len(data)
    for i in range(args.binaries):
        subdir = os.path.join(args.dir, "blobs", f"b{i % 10}")
        os.makedirs(subdir, exist_ok=True)
        data = rng.randbytes(rng.randint(64_000, 400_000))
        with open(os.path.join(subdir, f"weights{i}.bin"), "wb") as out:
            out.write(data)
        total += len(data)
    print(f"planted {args.tokens} tokens in {args.files} text files and {args.binaries} binaries, {total / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
