import { envOptional } from '../../config/env';
import { loadFerjeConfig } from '../../config/ferje-config';
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { newStaticToken } from '../../codec/auth/static-tokens';
import { defaultKeyFilePath, ensureKeyFile, rotateKeyFile } from '../../codec/key-ring';
import { UsageError, type CliCommand } from '../command';

export const keysCommand: CliCommand = {
  name: 'keys',
  usage: 'ferje keys init|rotate|codec-token [namespace,…|*] [label]',
  description:
    'Create the payload encryption key file, add a new active key (old keys keep decrypting), or add a bearer ' +
    'token for the codec server to FERJE_CODEC_TOKEN_FILE (printed once, stored only as a hash)',
  async run(args) {
    const file = envOptional(process.env, 'FERJE_CODEC_KEY_FILE') ?? defaultKeyFilePath(loadFerjeConfig().dataDir);
    switch (args[0]) {
      case 'init':
        console.log((await ensureKeyFile(file)) ? `Created ${file}` : `${file} already exists`);
        return 0;
      case 'rotate':
        console.log(
          `New active key ${await rotateKeyFile(file)} in ${file}; restart workers, ingress and codec server`,
        );
        return 0;
      case 'codec-token': {
        const tokenFile = envOptional(process.env, 'FERJE_CODEC_TOKEN_FILE');
        if (!tokenFile) throw new UsageError("set FERJE_CODEC_TOKEN_FILE to the codec server's token file");
        const namespaces = !args[1] || args[1] === '*' ? '*' : args[1].split(',');
        const { token, line } = newStaticToken(namespaces, args[2] ?? 'operator');
        await mkdir(path.dirname(tokenFile), { recursive: true });
        await appendFile(tokenFile, `${line}\n`, { mode: 0o600 });
        console.error(
          `Added a token to ${tokenFile} (the codec server picks it up without a restart). It is shown once:`,
        );
        console.log(token);
        return 0;
      }
      default:
        throw new UsageError('ferje keys init|rotate|codec-token [namespace,…|*] [label]');
    }
  },
};
