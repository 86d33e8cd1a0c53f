import { describe, expect, it } from 'vitest';
import { parseImageList } from '../src/index.js';

describe('parseImageList', () => {
  it('reads each reference with its labels from ctr images list', () => {
    const out = [
      'REF                          TYPE                                       DIGEST                                                                  SIZE      PLATFORMS   LABELS',
      'airspark.local/argocd:v3.6.2 application/vnd.oci.image.manifest.v1+json sha256:1f2e3d 163.5 MiB linux/amd64 airspark.dev/archive=53b50eeb,io.cri-containerd.image=managed',
      'airspark.local/pause:3.10    application/vnd.oci.image.manifest.v1+json sha256:aaaa   1.0 MiB   linux/amd64 -',
    ].join('\n');
    const images = parseImageList(out);
    expect(images.get('airspark.local/argocd:v3.6.2')).toEqual({
      'airspark.dev/archive': '53b50eeb',
      'io.cri-containerd.image': 'managed',
    });
    expect(images.get('airspark.local/pause:3.10')).toEqual({});
    expect(images.size).toBe(2);
  });
});
