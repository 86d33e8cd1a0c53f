import { parseRecipe } from '@airspark/kube';
import { describe, expect, it } from 'vitest';
import { localImageRefs, recipesFor } from '../src/index.js';

describe('localImageRefs', () => {
  it('finds every locally built image an environment names, not those of disabled components or other registries', () => {
    const environment = {
      mirrors: {
        images: { argocd: { repository: 'airspark.local/argocd', tag: 'v3.6.2', pullPolicy: 'Never' } },
      },
      components: { livy: { image: { repository: 'airspark.local/livy', tag: '0.9.0-r1' } } },
      spark: {
        jobImage: { repository: '111.dkr.ecr.eu-west-1.amazonaws.com/airspark/spark-jobs', tag: '4.0.4' },
      },
      other: [{ repository: 'airspark.local/livy', tag: '0.9.0-r1' }],
      disabled: { enabled: false, image: { repository: 'airspark.local/airflow', tag: '3.3.2' } },
    };
    expect(localImageRefs(environment)).toEqual([
      'airspark.local/argocd:v3.6.2',
      'airspark.local/livy:0.9.0-r1',
    ]);
  });
});

describe('recipesFor', () => {
  const recipe = (name: string, tag: string) =>
    parseRecipe(`name: ${name}\ntag: "${tag}"\nbase: scratch\nsteps: []\n`, `${name}/image.yaml`);

  it('matches each image to the recipe that builds it', () => {
    const recipes = [recipe('argocd', 'v3.6.2'), recipe('redis', '8.0-debian')];
    expect(recipesFor(['airspark.local/redis:8.0-debian'], recipes).map((r) => r.name)).toEqual(['redis']);
  });

  it('names an image no recipe builds, and what the recipes build instead', () => {
    expect(() => recipesFor(['airspark.local/argocd:v3.6.3'], [recipe('argocd', 'v3.6.2')])).toThrow(
      'no image.yaml recipe builds airspark.local/argocd:v3.6.3 (recipes build: airspark.local/argocd:v3.6.2)',
    );
  });
});
