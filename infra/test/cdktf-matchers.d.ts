import 'vitest';
import type { testingMatchers } from 'cdktf';

type TerraformConstructor = testingMatchers.TerraformConstructor;

declare module 'vitest' {
  interface Assertion {
    toHaveResource(resource: TerraformConstructor): void;
    toHaveResourceWithProperties(resource: TerraformConstructor, properties: Record<string, unknown>): void;
    toHaveProviderWithProperties(provider: TerraformConstructor, properties: Record<string, unknown>): void;
  }
}
