export declare const samplesDir: string
export declare function extractSamples(): Array<{ file: string; lang: 'ts' | 'tsx'; code: string }>
