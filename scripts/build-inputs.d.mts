// Types of build-inputs.mjs, for the test that imports it.
export declare const INPUTS: readonly string[];
export declare function inputsHash(root: string): string;
export declare function stampPath(root: string): string;
export declare function builtFrom(root: string, inputs: string): boolean;
