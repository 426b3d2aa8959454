/** Most workers one mock runs: far beyond any core count this tool meets, low enough to catch a typo. */
export const maxMockWorkers = 64;
