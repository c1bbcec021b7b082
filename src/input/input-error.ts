/**
 * A problem with something the user gave us (a scenario, a machine config, a trace). Its
 * message already names the file and the place; the CLI prints it and exits with status 2.
 */
export class InputError extends Error {
  override name = 'InputError';
}
