// Types of fnv-multicollision.mjs, for the unit test that imports it.
export declare const FNV_OFFSET_BASIS: number;
export declare function collidingNames(pairs: number, prefix?: string, basis?: number): string[];
export declare function fnv1a(text: string, basis?: number): number;
