% rebase('layout.tpl')
<p class="back"><a href="/settings">&larr; {{t('Settings')}}</a></p>
<h1>{{t('Backup')}}</h1>
% if error:
<p class="error" role="alert">{{error}}</p>
% end
% for p in problems:
<p class="error">{{p}}</p>
% end
% if staged:
<p class="flash warn">{{t('A restore is staged and waits for the services to restart.')}}</p>
% end
<section class="card">
  <p class="meta">{{t('Every night the box makes a backup and keeps two weeks of them; with a USB stick labelled LOKETBACKUP (or LOKET-BACKUP) plugged in, a copy goes there too.')}}</p>
  <form method="post" action="/settings/backup">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" class="primary">{{t('Make a backup now')}}</button>
  </form>
  <ul class="plain">
  % for f in files:
    <li><a href="/settings/backup/{{f.name}}">{{f.name}}</a> · {{number(round(f.stat().st_size / 1048576, 1))}} MB</li>
  % end
  </ul>
  % if not files:
  <p class="empty">{{t('No backups yet.')}}</p>
  % end
</section>
<section class="card">
  <h2>{{t('Restore')}}</h2>
  <p class="meta">{{t('The file is checked first (that it is a Loket database, intact, not from a newer Loket). Nothing is replaced until it passes; the current database is kept aside.')}}</p>
  <form method="post" action="/settings/backup/restore" enctype="multipart/form-data">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <input type="file" name="file" required aria-label="{{t('Check and restore')}}">
    <button type="submit" data-confirm="{{t('Replace the shop\'s data with this backup? Everything since the backup is set aside.')}}">{{t('Check and restore')}}</button>
  </form>
</section>
