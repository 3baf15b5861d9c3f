import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';
import { AuthenticationService } from './authentication.service.js';
import { GqlAuthGuard } from './gql-auth.guard.js';
import { LiveSessionsService } from './live-sessions.service.js';

/**
 * Token verification, the global guard, and the graphql-ws sessions that access changes end.
 * `principalsFrom` is the module that provides PrincipalResolver (identity): wired by the app
 * root so that shared/ depends on no context.
 */
@Module({})
export class AuthModule {
  static forRoot(principalsFrom: Type | DynamicModule): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [
        principalsFrom,
        JwtModule.registerAsync({
          global: true,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            secret: config.JWT_SECRET,
            signOptions: { algorithm: 'HS256', expiresIn: config.JWT_ACCESS_TTL_SECONDS },
            verifyOptions: { algorithms: ['HS256'] },
          }),
        }),
      ],
      providers: [AuthenticationService, LiveSessionsService, { provide: APP_GUARD, useClass: GqlAuthGuard }],
      exports: [JwtModule, principalsFrom, AuthenticationService, LiveSessionsService],
    };
  }
}
