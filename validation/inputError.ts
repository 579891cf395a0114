/** Thrown for bad input; the message names the argument. */
export class InputError extends Error {
    constructor(component: string, problems: string[]) {
        super(`${component}: invalid arguments:\n  - ${problems.join("\n  - ")}`);
        this.name = "InputError";
    }
}
