/**
 * `pnpm generate --run runs/NAME --prompt "Call me" --tokens 200`: sample from a trained run.
 */
import { GENERATE_USAGE, parseGenerateCommand } from './cli';
import { generateFromRun } from './generate';

try {
  const command = parseGenerateCommand(process.argv.slice(2));
  if (command.help) {
    console.log(GENERATE_USAGE);
  } else {
    await generateFromRun(command, (piece) => process.stdout.write(piece));
    process.stdout.write('\n');
  }
} catch (error) {
  console.error(`error: ${(error as Error).message}\n${GENERATE_USAGE}`);
  process.exitCode = 1;
}
