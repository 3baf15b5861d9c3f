import { render } from 'preact';
import { App } from './app';
import { LiveLink } from './api/live';
import { Session } from './api/session';
import './styles.css';

const endpoint = `${location.origin}/graphql`;
const session = new Session(endpoint);
const link = new LiveLink(endpoint.replace(/^http/, 'ws'), session);

render(<App session={session} link={link} />, document.getElementById('app')!);
