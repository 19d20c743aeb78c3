// cdktf's own jest typings declare `Matchers<R>` with one type parameter, which does not merge with
// @types/jest 30's `Matchers<R, T>`; this declares the matchers Testing.setupJest() installs.
import type { TerraformConstructor } from 'cdktf/lib/testing/matchers';

declare global {
  namespace jest {
    interface Matchers<R, T = {}> {
      toHaveResource(resourceConstructor: TerraformConstructor): R;
      toHaveResourceWithProperties(resourceConstructor: TerraformConstructor, properties: Record<string, any>): R;
      toHaveProvider(providerConstructor: TerraformConstructor): R;
      toHaveProviderWithProperties(providerConstructor: TerraformConstructor, properties: Record<string, any>): R;
      toBeValidTerraform(): R;
    }
  }
}

export {};
