// Types of scripts/bootstrap.mjs (plain Node, so it runs before the dependencies are installed).
export function installNeeded(dir?: string): string | undefined;
