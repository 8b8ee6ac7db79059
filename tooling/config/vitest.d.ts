import type { UserConfig } from 'vitest/config';
/** Test config for a Tessera package. */
export declare function testConfig(options?: UserConfig): UserConfig;
