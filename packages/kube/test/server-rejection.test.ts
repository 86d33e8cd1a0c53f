import { describe, expect, it } from 'vitest';
import { causesFromMessage } from '../src/index.js';
import { rejectionFromResponse } from '../src/server-rejection.js';

// Messages as kube-apiserver 1.35 words them (captured from the envtest server).
describe('causesFromMessage', () => {
  it('finds every unknown field of a strict decoding error', () => {
    expect(
      causesFromMessage(
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogus", unknown field "spec.template.spec.containers[0].unknownField"',
      ),
    ).toEqual([
      { field: 'spec.bogus', reason: 'UnknownField', message: 'unknown field "spec.bogus"' },
      {
        field: 'spec.template.spec.containers[0].unknownField',
        reason: 'UnknownField',
        message: 'unknown field "spec.template.spec.containers[0].unknownField"',
      },
    ]);
  });

  it('finds the field of a server-side apply schema error', () => {
    expect(
      causesFromMessage(
        'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema',
      ),
    ).toEqual([
      { field: 'spec.bogus', reason: 'UnknownField', message: '.spec.bogus: field not declared in schema' },
    ]);
  });

  it('finds the field of a type mismatch', () => {
    expect(
      causesFromMessage(
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
      ),
    ).toEqual([
      {
        field: 'spec.replicas',
        reason: 'FieldValueTypeInvalid',
        message: 'Go struct field DeploymentSpec.spec.replicas of type int32',
      },
    ]);
  });

  it('finds duplicate fields', () => {
    expect(causesFromMessage('strict decoding error: duplicate field "metadata.name"')).toEqual([
      { field: 'metadata.name', reason: 'DuplicateField', message: 'duplicate field "metadata.name"' },
    ]);
  });

  it('finds nothing in a message without field paths', () => {
    expect(causesFromMessage('namespaces "nope" not found')).toEqual([]);
  });
});

describe('rejectionFromResponse', () => {
  it('keeps the structured causes of an Invalid status', () => {
    const body = {
      kind: 'Status',
      status: 'Failure',
      message:
        'Deployment.apps "web" is invalid: spec.template.spec.containers[0].imagePullPolicy: Unsupported value',
      reason: 'Invalid',
      details: {
        causes: [
          {
            reason: 'FieldValueNotSupported',
            message: 'Unsupported value',
            field: 'spec.template.spec.containers[0].imagePullPolicy',
          },
        ],
      },
      code: 422,
    };
    expect(rejectionFromResponse(422, body)).toEqual({
      statusCode: 422,
      reason: 'Invalid',
      message: body.message,
      causes: [
        {
          field: 'spec.template.spec.containers[0].imagePullPolicy',
          reason: 'FieldValueNotSupported',
          message: 'Unsupported value',
        },
      ],
    });
  });

  it('parses a Status given as text and falls back to the fields named in its message', () => {
    const text = JSON.stringify({
      kind: 'Status',
      message: 'strict decoding error: unknown field "spec.x"',
      reason: 'BadRequest',
      code: 400,
    });
    expect(rejectionFromResponse(400, text)).toEqual({
      statusCode: 400,
      reason: 'BadRequest',
      message: 'strict decoding error: unknown field "spec.x"',
      causes: [{ field: 'spec.x', reason: 'UnknownField', message: 'unknown field "spec.x"' }],
    });
  });

  it('uses a plain-text body as the message', () => {
    expect(rejectionFromResponse(404, '404 page not found\n')).toEqual({
      statusCode: 404,
      message: '404 page not found',
      causes: [],
    });
  });
});
