import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../../auth/decorators.js';
import { GRAPHIQL_ASSETS, GRAPHIQL_ASSET_PREFIX } from './graphiql-assets.js';

/** Serves GraphiQL's scripts and styles from node_modules so that it works offline. */
@Controller(GRAPHIQL_ASSET_PREFIX.slice(1))
export class GraphiqlAssetsController {
  @Public()
  @Get(':name')
  asset(@Param('name') name: string, @Res() res: Response): void {
    const file = Object.hasOwn(GRAPHIQL_ASSETS, name) ? GRAPHIQL_ASSETS[name] : undefined;
    if (!file) throw new NotFoundException();
    res.sendFile(file, { maxAge: '1d' });
  }
}
