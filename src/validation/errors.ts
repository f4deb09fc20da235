/**
 * Bad input (a flag, an environment variable, a manifest value, an app name): the one base class the CLI maps
 * to exit code 2. Library code throws a subclass and never decides exit codes itself.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
