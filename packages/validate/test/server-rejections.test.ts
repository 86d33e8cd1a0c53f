import { describe, expect, it } from 'vitest';
import { findingsFromServer, parseFieldPath } from '../src/server-rejections.js';
import { files } from './fixtures/platform.js';
import { lineOf, objectsFromYaml } from './helpers.js';

describe('mapping API server rejections back to source lines', () => {
  it('parses Kubernetes field paths', () => {
    expect(parseFieldPath('spec.template.spec.containers[0].image')).toEqual([
      'spec',
      'template',
      'spec',
      'containers',
      0,
      'image',
    ]);
    expect(parseFieldPath('.metadata.labels[app.kubernetes.io/name]')).toEqual([
      'metadata',
      'labels',
      'app.kubernetes.io/name',
    ]);
  });

  it('points each cause at the line of its field, and a cause-less rejection at the object', () => {
    const objects = objectsFromYaml(files.livy.file, files.livy.text, { app: 'livy' });
    const deployment = objects.findIndex((o) => o.object.kind === 'Deployment');
    const findings = findingsFromServer(objects, [
      { index: 0, ok: true, causes: [] },
      {
        index: deployment,
        ok: false,
        reason: 'Invalid',
        message: 'Deployment.apps "livy" is invalid',
        causes: [
          {
            field: 'spec.template.spec.containers[0].image',
            reason: 'FieldValueRequired',
            message: 'Required value',
          },
        ],
      },
      { index: 1, ok: false, reason: 'Forbidden', message: 'no', causes: [] },
    ]);
    expect(findings.map((f) => [f.rule, f.line, f.resource])).toEqual([
      ['server/rejected', lineOf(files.livy.text, 'image: 111111111111'), 'Deployment/livy/livy'],
      ['server/rejected', lineOf(files.livy.text, 'kind: ServiceAccount') - 1, 'ServiceAccount/livy/livy'],
    ]);
  });
});

describe('findings about objects of upstream charts', () => {
  it('point at the values file that configures the object and name the template', () => {
    const [object] = objectsFromYaml(
      'x.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n',
    );
    if (!object) throw new Error('no object');
    const upstream = {
      ...object,
      locate: undefined,
      source: {
        file: 'airflow-1.22.0.tgz#airflow/templates/configmap.yaml',
        line: 3,
        column: 1,
        inRepository: false,
      },
      configuredBy: ['apps/airflow/component.yaml', 'clusters/dev/values/airflow.yaml'],
    };
    const [finding] = findingsFromServer([upstream], [{ index: 0, ok: false, message: 'nope', causes: [] }]);
    expect(finding).toMatchObject({ file: 'clusters/dev/values/airflow.yaml', line: 0 });
    expect(finding?.message).toContain('[template airflow-1.22.0.tgz#airflow/templates/configmap.yaml]');
  });
});
