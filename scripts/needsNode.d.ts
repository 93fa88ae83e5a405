/** The message for a Node too old to run opsdeck, or null. */
export declare function nodeTooOld(version: string): string | null;
