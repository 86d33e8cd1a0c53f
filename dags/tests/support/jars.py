"""The jars s3a needs, fetched from Maven Central exactly as the images add them.

The Spark 4.0 list is read from the ``ADD --checksum=sha256:...`` lines of image/Dockerfile,
the Spark 3.5 (Livy) list from the ``ARG`` versions and SHA-256s of apps/livy/image/Dockerfile,
so the tests run the very jars the images ship. They are cached outside the repository in
``${AIRSPARK_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/airspark}/jars`` (the AWS SDK bundle
is about 560 MB, fetched once).

    python -m tests.support.jars     # fetch now, with progress on stderr
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "image" / "Dockerfile"
LIVY_DOCKERFILE = Path(__file__).resolve().parents[3] / "apps" / "livy" / "image" / "Dockerfile"
_ARG = re.compile(r"^ARG\s+(?P<name>[A-Z0-9_]+)=(?P<value>\S+)\s*$", re.M)
_ADD = re.compile(
    r"^ADD\s+--checksum=sha256:(?P<sha>[0-9a-f]{64})\s+(?:--\S+\s+)*\\?\s*(?P<url>https://\S+\.jar)\s", re.M
)


@dataclass(frozen=True)
class Jar:
    url: str
    sha256: str

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[1]


def image_jars(dockerfile: Path = DOCKERFILE) -> list[Jar]:
    text = dockerfile.read_text().replace("\\\n", " ")
    jars = [Jar(m["url"], m["sha"]) for m in _ADD.finditer(text)]
    if not jars:
        raise RuntimeError(f"{dockerfile}: no 'ADD --checksum=sha256:<hash> <url>.jar' line found")
    return jars


def livy_image_jars(dockerfile: Path = LIVY_DOCKERFILE) -> list[Jar]:
    """hadoop-aws and the AWS SDK v1 bundle of the Livy image (Spark 3.5, Hadoop 3.3.4)."""
    args = {m["name"]: m["value"] for m in _ARG.finditer(dockerfile.read_text())}
    try:
        maven = args["MAVEN_CENTRAL"]
        hadoop, sdk = args["HADOOP_AWS_VERSION"], args["AWS_SDK_BUNDLE_VERSION"]
        return [
            Jar(f"{maven}/org/apache/hadoop/hadoop-aws/{hadoop}/hadoop-aws-{hadoop}.jar", args["HADOOP_AWS_SHA256"]),
            Jar(
                f"{maven}/com/amazonaws/aws-java-sdk-bundle/{sdk}/aws-java-sdk-bundle-{sdk}.jar",
                args["AWS_SDK_BUNDLE_SHA256"],
            ),
        ]
    except KeyError as missing:
        raise RuntimeError(f"{dockerfile}: no ARG {missing} (the jar versions and SHA-256s)") from None


def cache_dir() -> Path:
    root = os.environ.get("AIRSPARK_CACHE_DIR") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "airspark"
    )
    return Path(root) / "jars"


def ensure_jars(progress=sys.stderr, jars: list[Jar] | None = None) -> list[Path]:
    """Paths of the cached jars (default: the Spark image's), downloading and checking the missing ones."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for jar in image_jars() if jars is None else jars:
        target = folder / jar.name
        if not target.exists() or _sha256(target) != jar.sha256:
            _download(jar, target, progress)
        paths.append(target)
    return paths


def _download(jar: Jar, target: Path, progress) -> None:
    digest = hashlib.sha256()
    with urllib.request.urlopen(jar.url, timeout=60) as response:  # noqa: S310 (https only, by the regex)
        total = int(response.headers.get("Content-Length") or 0)
        fd, name = tempfile.mkstemp(prefix=f".{jar.name}.", dir=target.parent)
        temp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                done, shown = 0, -1
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    percent = done * 100 // total if total else 0
                    if percent // 10 != shown:
                        shown = percent // 10
                        print(f"fetching {jar.name}: {done >> 20} of {total >> 20} MiB", file=progress, flush=True)
            if digest.hexdigest() != jar.sha256:
                raise RuntimeError(f"{jar.url}: sha256 {digest.hexdigest()} is not {jar.sha256} (the Dockerfile's)")
            temp.replace(target)  # never leave a half-written jar under the final name
        finally:
            temp.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


if __name__ == "__main__":
    for path in [*ensure_jars(), *ensure_jars(jars=livy_image_jars())]:
        print(path)
