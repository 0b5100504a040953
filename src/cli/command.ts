// What a command is; its own module so that the registry (commands.ts) imports the commands
// and the commands import only this, with no circle between them.
export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number> | number;
}
