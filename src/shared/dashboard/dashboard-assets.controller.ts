import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/decorators.js';

/**
 * Where `npm run build` writes the dashboard (web/, built by Vite): dist/dashboard, beside the
 * built service (dist/src/shared/dashboard/ → dist/). Run from the sources, there is none.
 */
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dashboard');
const ASSETS_DIR = path.join(DASHBOARD_DIR, 'assets');
/** Vite's output names: letters, digits, '-', '_' and dots, never a path. */
const ASSET_NAME = /^[\w-]+(\.[\w-]+)+$/;

/**
 * The page fetches nothing but its own assets and talks only to this origin (GraphQL over HTTP
 * and graphql-ws); the policy makes a stray CDN reference fail loudly in development.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** Serves the live dashboard at `/` (no CDN: everything from dist/dashboard). */
@Controller()
export class DashboardAssetsController {
  @Public()
  @Get()
  index(@Res() res: Response): void {
    const index = path.join(DASHBOARD_DIR, 'index.html');
    if (!existsSync(index)) {
      res.status(404).type('text/plain').send('The dashboard is not built: run `npm run build`, then `npm start`.\n');
      return;
    }
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    // The page names its hashed assets: it must be revalidated so that a new build takes effect.
    res.sendFile(index, { headers: { 'Cache-Control': 'no-cache' } });
  }

  @Public()
  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const file = path.join(ASSETS_DIR, name);
    if (!ASSET_NAME.test(name) || !existsSync(file)) throw new NotFoundException();
    // Hashed names change with their content.
    res.sendFile(file, { maxAge: '365d', immutable: true });
  }
}
