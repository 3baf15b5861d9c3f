import { Module } from '@nestjs/common';
import { DashboardAssetsController } from './dashboard-assets.controller.js';

/** The live dashboard's page and assets at `/` (built from web/ by `npm run build`). */
@Module({ controllers: [DashboardAssetsController] })
export class DashboardModule {}
