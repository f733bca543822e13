<section class="card checklist" aria-labelledby="ready">
  <h2 id="ready">{{t('Is the shop ready?')}}</h2>
  <p class="meta">{{t('{done} of {total} done. Tap a step to do it.').format(done=sum(1 for i in checklist if i['done']), total=len(checklist))}}</p>
  <ul class="ready">
  % for item in checklist:
    <li class="{{'done' if item['done'] else 'todo'}}" data-item="{{item['key']}}">
      <a href="{{item['href']}}"><span class="mark" aria-hidden="true">{{'✓' if item['done'] else '○'}}</span> {{t(item['label'])}} <span class="state">{{t('done') if item['done'] else t('to do')}}</span></a>
    </li>
  % end
  </ul>
  <form method="post" action="/dashboard/checklist" class="inline">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" class="button">{{t('Hide this list')}}</button>
  </form>
</section>
